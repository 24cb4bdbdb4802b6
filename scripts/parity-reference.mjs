// Builds test/parity/reference-api.json: the public API of the reference SDK (`@sentclose/sentc` 0.15) as the
// SDK spec (spec/sdk.md §1–§4, §8.1) documents it. test/parity/api.test.ts checks our classes against the JSON
// and that the JSON is what this script makes from the list below.
//
//   node scripts/parity-reference.mjs          writes the JSON
//   node scripts/parity-reference.mjs --check  fails when the JSON is out of date
//
// How the list was derived: every member of the tables and code blocks of sdk.md §1.3 (Sentc), §2.1/§2.3 (User),
// §3.1/§3.3 (Group), §4.1 (the 14 crypto methods each of User and Group inherits), §4.3 (SymKey), §4.4
// (Uploader, Downloader, FileHelper) and §8.1 (the UMD global), written with the parameter list as sdk.md gives
// it. The counts match the report at the end of sdk.md (Sentc 26, User 50 + 14, Group 63 + 14 + 2 setters,
// SymKey 6, Uploader 4 + 1 static, Downloader 3 + 4 statics, FileHelper 1). Where sdk.md lists only overloads
// (`Sentc.login`, `Sentc.getActualUser`), the implementation signature takes the extra parameters with defaults.
//
// `length` is what `Function.length` reports for the reference's compiled code: the signature is compiled with
// TypeScript to ES2018 (the reference's target, sdk.md §8.1) and `.length` is read from the result. So a
// parameter with a default ends the count (`f(a, b = false, c?)` → 1), and an optional `x?` parameter without a
// default counts (TypeScript emits it as a plain parameter: `f(a, b?)` → 2).
//
// `returns`: "promise" when sdk.md gives `Promise<…>`, "sync" otherwise, "promise-or-sync" for the two methods
// that return a synchronous `false` on empty input (Appendix B 15). Members the reference marks private but that
// exist at runtime and that apps reach (`User.getNewestKey`, `Group.user`) carry `"private_in_reference": true`.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

const ASYM_CRYPTO = [
  "encryptRaw(data: Uint8Array, reply_id: string, sign = false): Promise<CryptoRawOutput>",
  "encryptRawSync(data: Uint8Array, reply_public_key: string, sign = false): CryptoRawOutput",
  "decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Promise<Uint8Array>",
  "decryptRawSync(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array",
  "encrypt(data: Uint8Array, reply_id: string, sign = false): Promise<Uint8Array>",
  "encryptSync(data: Uint8Array, reply_public_key: string, sign = false): Uint8Array",
  "decrypt(data: Uint8Array, verify = false, user_id?: string): Promise<Uint8Array>",
  "decryptSync(data: Uint8Array, verify_key?: string): Uint8Array",
  "encryptString(data: string, reply_id: string, sign = false): Promise<string>",
  "encryptStringSync(data: string, reply_public_key: string, sign = false): string",
  "decryptString(data: string, verify = false, user_id?: string): Promise<string>",
  "decryptStringSync(data: string, verify_key?: string): string",
  "generateNonRegisteredKey(reply_id: string): Promise<[SymKey, string]>",
  "getNonRegisteredKey(master_key_id: string, encrypted_key: string): Promise<SymKey>",
];

const SYM_CRYPTO = [
  "encryptRaw(data: Uint8Array, sign = false): Promise<CryptoRawOutput>",
  "encryptRawSync(data: Uint8Array, sign = false): CryptoRawOutput",
  "decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Promise<Uint8Array>",
  "decryptRawSync(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array",
  "encrypt(data: Uint8Array, sign = false): Promise<Uint8Array>",
  "encryptSync(data: Uint8Array, sign = false): Uint8Array",
  "decrypt(data: Uint8Array, verify = false, user_id?: string): Promise<Uint8Array>",
  "decryptSync(data: Uint8Array, verify_key?: string): Uint8Array",
  "encryptString(data: string, sign = false): Promise<string>",
  "encryptStringSync(data: string, sign = false): string",
  "decryptString(data: string, verify = false, user_id?: string): Promise<string>",
  "decryptStringSync(data: string, verify_key?: string): string",
  "generateNonRegisteredKey(): Promise<[SymKey, string]>",
  "getNonRegisteredKey(master_key_id: string, encrypted_key: string): Promise<SymKey>",
];

/** The reference API as sdk.md gives it. `static`, `get`, `set` and `property` prefix the non-method members. */
export const REFERENCE = {
  Sentc: {
    section: "§1",
    members: [
      "static property options: SentcOptions",
      "static getStore(): Promise<StorageInterface>",
      "static init(options: SentcOptions): Promise<User | undefined>",
      "static checkUserIdentifierAvailable(userIdentifier: string): Promise<boolean>",
      "static prepareCheckUserIdentifierAvailable(userIdentifier: string): string | false",
      "static doneCheckUserIdentifierAvailable(serverOutput: string): boolean",
      "static generateRegisterData(): string[]",
      "static prepareRegister(userIdentifier: string, password: string): string",
      "static doneRegister(serverOutput: string): string",
      "static register(userIdentifier: string, password: string): Promise<UserId> | false",
      "static prepareRegisterDeviceStart(device_identifier: string, password: string): string",
      "static doneRegisterDeviceStart(server_output: string): void",
      "static registerDeviceStart(device_identifier: string, password: string): false | Promise<string>",
      "static login(deviceIdentifier: string, password: string, force = false): Promise<LoginUser | User>",
      "static mfaLogin(token: string, login_data: UserMfaLogin): Promise<User>",
      "static mfaRecoveryLogin(recovery_token: string, login_data: UserMfaLogin): Promise<User>",
      "static refreshJwt(old_jwt: string, refresh_token: string): Promise<string>",
      "static getUserPublicKey(user_id: string): Promise<UserPublicKeyData>",
      "static getUserVerifyKey(user_id: string, key_id: string): Promise<string>",
      "static getGroupPublicKey(group_id: string): Promise<{key: string, id: string}>",
      "static verifyUserPublicKey(user_id: string, public_key: UserPublicKeyData, force = false): Promise<boolean>",
      "static getActualUser(jwt = false, username = false): Promise<User | [User, string]>",
      "static getUser(userIdentifier: string): Promise<User | false>",
      "static getUserPublicKeyData(base_url: string, app_token: string, user_id: string): Promise<UserPublicKeyData>",
      "static getUserVerifyKeyData(base_url: string, app_token: string, user_id: string, verify_key_id: string): Promise<string>",
      "static getGroupPublicKeyData(base_url: string, app_token: string, group_id: string): Promise<{key: string, id: string}>",
      "static verifyUsersPublicKey(base_url: string, app_token: string, user_id: string, public_key: UserPublicKeyData, force = false): Promise<boolean>",
    ],
  },
  User: {
    section: "§2",
    members: [
      "property user_data: UserData",
      "property group_invites: GroupInviteListItem[]",
      // Session / keys
      "getJwt(): Promise<string>",
      "enabledMfa(): boolean",
      "fetchUserKey(key_id: string, first = false): Promise<void>",
      "decryptHmacKeys(fetchedKeys: GroupOutDataHmacKeys[]): Promise<string[]>",
      "getUserSymKey(key_id: string): Promise<string>",
      "getPrivateKey(key_id: string): Promise<string>",
      "getPrivateKeySync(key_id: string): string",
      "getPublicKey(reply_id: string): Promise<UserPublicKeyData>",
      "getNewestHmacKey(): string",
      "getNewestPublicKey(): string",
      "getNewestSignKey(): string",
      "getSignKey(): Promise<string>",
      "getSignKeySync(): string",
      "private getNewestKey(): UserKeyData",
      // Account
      "updateUser(newIdentifier: string): Promise<void>",
      "changePassword(oldPassword: string, newPassword: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void>",
      "resetPassword(newPassword: string): Promise<void>",
      "logOut(): Promise<void>",
      "deleteUser(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void>",
      "deleteDevice(password: string, device_id: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void>",
      // MFA
      "registerRawOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<OtpRegister>",
      "registerOtp(issuer: string, audience: string, password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<[string, string[]]>",
      "getOtpRecoverKeys(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<string[]>",
      "resetRawOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<OtpRegister>",
      "resetOtp(issuer: string, audience: string, password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<[string, string[]]>",
      "disableOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void>",
      // Devices
      "prepareRegisterDevice(server_output: string, page = 0): PreRegisterDeviceData",
      "registerDevice(server_output: string): Promise<PromiseSettledResult<void>[] | undefined>",
      "getDevices(last_fetched_item: UserDeviceList | null = null): Promise<UserDeviceList[]>",
      // Key rotation and verification
      "keyRotation(): Promise<void>",
      "finishKeyRotation(): Promise<void>",
      "createSafetyNumber(user_to_compare?: {user_id: string, verify_key_id: string}): Promise<string>",
      // Groups
      "prepareGroupCreate(sign = false): string",
      "createGroup(sign = false): Promise<string>",
      "getGroup(group_id: string, group_as_member?: string, verify = 0): Promise<Group>",
      "getGroups(last: GroupList | null = null): Promise<GroupList[]>",
      "getGroupInvites(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]>",
      "acceptGroupInvite(group_id: string): Promise<void>",
      "rejectGroupInvite(group_id: string): Promise<void>",
      "groupJoinRequest(group_id: string): Promise<void>",
      "sentJoinReq(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]>",
      "deleteJoinReq(id: string): Promise<void>",
      // Files (§2.3 "Files", §4.4)
      "prepareRegisterFile(file: File, reply_id?: string): Promise<FilePrepareCreateOutput>",
      "doneFileRegister(server_output: string): [string, string]",
      "uploadFile(file: File, content_key: SymKey, session_id: string, sign = false, upload_callback?: (progress?: number) => void): Promise<void>",
      "downloadFileMetaInfo(file_id: string, verify_key?: string): Promise<[FileMetaInformation, SymKey]>",
      "downloadFileWithMetaInfo(key: SymKey, file_meta: FileMetaInformation, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<string>",
      'createFile(file: File, sign = false, reply_id = "", upload_callback?: (progress?: number) => void): Promise<FileCreateOutput>',
      "downloadFile(file_id: string, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<[string, FileMetaInformation, SymKey]>",
      "updateFileName(file_id: string, content_key: SymKey, file_name?: string): Promise<void>",
      "deleteFile(file_id: string): Promise<void>",
      ...ASYM_CRYPTO,
    ],
  },
  Group: {
    section: "§3",
    members: [
      "property data: GroupData",
      "set groupKeys(keys: GroupKey[])",
      "set groupKeyMap(map: Map<string, number>)",
      "private property user: User",
      // Structure
      "getChildGroup(group_id: string, verify = 0): Promise<Group>",
      "getConnectedGroup(group_id: string, verify = 0): Promise<Group>",
      "getChildren(last: GroupChildrenListItem | null = null): Promise<GroupChildrenListItem[]>",
      "prepareCreateChildGroup(sign = false): [string, string]",
      "createChildGroup(sign = false): Promise<string>",
      "createConnectedGroup(sign = false): Promise<string>",
      "groupUpdateCheck(): Promise<void>",
      "deleteGroup(): Promise<void>",
      "fetchKeys(jwt: string, verify = 0): Promise<GroupData>",
      "decryptKey(fetched: GroupOutDataKeys[], verify = 0): Promise<GroupKey[]>",
      "decryptHmacKeys(fetched: GroupOutDataHmacKeys[]): Promise<string[]>",
      "decryptSortableKeys(fetched: GroupOutDataSortableKeys[]): Promise<string[]>",
      // Membership
      "getMember(last: GroupUserListItem | null = null): Promise<GroupUserListItem[]>",
      "invite(user_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined>",
      "inviteAuto(user_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined>",
      "inviteGroup(group_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined>",
      "inviteGroupAuto(group_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined>",
      "reInviteUser(user_id: string): Promise<PromiseSettledResult<void>[] | undefined>",
      "reInviteGroup(group_id: string): Promise<PromiseSettledResult<void>[] | undefined>",
      "prepareKeysForNewMember(user_id: string, rank?: number, page = 0, group = false): Promise<string>",
      "handleInviteSessionKeysForNewMember(session_id: string, user_id: string, auto = false, group = false): Promise<PromiseSettledResult<void>[] | undefined>",
      "stopInvites(): Promise<void>",
      "getJoinRequests(last: GroupJoinReqListItem | null = null): Promise<GroupJoinReqListItem[]>",
      "acceptJoinRequest(user_id: string, user_type: 0 | 2 = 0, rank?: number): Promise<PromiseSettledResult<void>[] | undefined>",
      "rejectJoinRequest(user_id: string): Promise<void>",
      "prepareUpdateRank(user_id: string, new_rank: number): string",
      "updateRank(user_id: string, new_rank: number): Promise<void>",
      "kickUser(user_id: string): Promise<void>",
      "leave(): Promise<void>",
      // Group as member of connected groups
      "getGroups(last: GroupList | null = null): Promise<GroupList[]>",
      "getGroupInvites(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]>",
      "acceptGroupInvite(group_id: string): Promise<void>",
      "rejectGroupInvite(group_id: string): Promise<void>",
      "groupJoinRequest(group_id: string): Promise<void>",
      "sentJoinReq(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]>",
      "deleteJoinReq(id: string): Promise<void>",
      // Key rotation
      "prepareKeyRotation(sign = false): Promise<string>",
      "keyRotation(sign = false): Promise<GroupKey>",
      "finishKeyRotation(verify = 0): Promise<void>",
      // Key accessors
      "getSymKeyToEncrypt(): Promise<[string, string]>",
      "getSymKeyToEncryptSync(): [string, string]",
      "getSymKeyById(key_id: string): Promise<string>",
      "getSymKeyByIdSync(key_id: string): string",
      "getJwt(): Promise<string>",
      "getSignKey(): Promise<string>",
      "getSignKeySync(): string",
      "getNewestHmacKey(): string",
      "getNewestSortableKey(): string",
      // Files
      "prepareRegisterFile(file: File): Promise<FilePrepareCreateOutput>",
      "doneFileRegister(server_output: string): [string, string]",
      "uploadFile(file: File, content_key: SymKey, session_id: string, sign = false, upload_callback?: (progress?: number) => void): Promise<void>",
      "downloadFileMetaInfo(file_id: string, verify_key?: string): Promise<[FileMetaInformation, SymKey]>",
      "downloadFileWithMetaInfo(key: SymKey, file_meta: FileMetaInformation, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<string>",
      "createFile(file: File, sign = false, upload_callback?: (progress?: number) => void): Promise<FileCreateOutput>",
      "downloadFile(file_id: string, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<[string, FileMetaInformation, SymKey]>",
      "deleteFile(file_id: string): Promise<void>",
      // Searchable (§4.5) and sortable (§4.6)
      "createSearchRaw(data: string, full?: boolean, limit?: number): string[]",
      "createSearch(data: string, full?: boolean, limit?: number): [string[], string, string]",
      "search(data: string): string",
      "encryptSortableRawNumber(number: number): bigint",
      "encryptSortableNumber(number: number): [bigint, string, string]",
      "encryptSortableRawString(data: string): bigint",
      "encryptSortableString(data: string): [bigint, string, string]",
      ...SYM_CRYPTO,
    ],
  },
  SymKey: {
    section: "§4.3",
    ctor: "constructor(base_url: string, app_token: string, key: string, key_id: string, master_key_id: string, sign_key: string)",
    members: [
      "property base_url: string",
      "property app_token: string",
      "property key: string",
      "property key_id: string",
      "property master_key_id: string",
      "encryptRaw(data: Uint8Array, sign = false): CryptoRawOutput",
      "decryptRaw(head: string, data: Uint8Array, verify_key?: string): Uint8Array",
      "encrypt(data: Uint8Array, sign = false): Uint8Array",
      "decrypt(data: Uint8Array, verify_key?: string): Uint8Array",
      "encryptString(data: string, sign = false): string",
      "decryptString(data: string, verify_key?: string): string",
    ],
  },
  Uploader: {
    section: "§4.4",
    ctor: "constructor(base_url: string, app_token: string, user: User, group_id?: string, other_user_id?: string, upload_callback?: (progress?: number) => void, group_as_member?: string, chunk_size = 4194304)",
    members: [
      "static property cancel_upload: boolean",
      "prepareFileRegister(file: File, content_key: string, encrypted_content_key: string, master_key_id: string): [string, string]",
      "doneFileRegister(server_output: string): [string, string]",
      "checkFileUpload(file: File, content_key: string, session_id: string, sign = false): Promise<void>",
      "uploadFile(file: File, content_key: string, encrypted_content_key: string, master_key_id: string, sign = false): Promise<[string, string]>",
    ],
  },
  Downloader: {
    section: "§4.4",
    ctor: "constructor(base_url: string, app_token: string, user: User, group_id?: string, group_as_member?: string)",
    members: [
      "static property cancel_download: boolean",
      "static getStorage(): Promise<StorageInterface>",
      "static reset(): Promise<void>",
      "static init(): void",
      "downloadFileMetaInformation(file_id: string): Promise<FileMetaInformation>",
      "downloadFilePartList(file_id: string, last_item: PartListItem | null = null): Promise<PartListItem[]>",
      "downloadFileParts(part_list: PartListItem[], content_key: string, updateProgressCb?: (progress: number) => void, verify_key?: string): Promise<string>",
    ],
  },
  FileHelper: {
    section: "§4.4",
    object: true,
    members: ["static fileParse(blob: Blob, asUrl = false): Promise<ArrayBuffer | string>"],
  },
};

/** The keys of `window.Sentc` of the reference's UMD build (sdk.md §8.1). */
export const REFERENCE_GLOBAL = ["SymKey", "Group", "User", "FileHelper", "Downloader", "Uploader", "default"];

const MEMBER = /^(private )?(static )?(property |get |set )?(\w+)(\((.*)\))?(?::\s*(.+))?$/s;

/** `Function.length` of a signature as TypeScript compiles it for the reference's target (ES2018). */
function compiledLength(name, params, isStatic) {
  const source = `class Probe { ${isStatic ? "static " : ""}${name}(${params}) {} }\nexport const length = Probe${isStatic ? "" : ".prototype"}.${name}.length;`;
  const js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2018, module: ts.ModuleKind.CommonJS },
  }).outputText;
  const module = { exports: {} };
  new Function("module", "exports", js)(module, module.exports);
  return module.exports.length;
}

function returnsOf(type) {
  if (type === undefined) return undefined;
  const promise = /(^|\|\s*)Promise</.test(type);
  const other = type.split("|").some((part) => !part.trim().startsWith("Promise<"));
  if (promise && other && /\bfalse\b/.test(type)) return "promise-or-sync";
  return promise ? "promise" : "sync";
}

function parseMember(line) {
  const match = MEMBER.exec(line);
  if (!match) throw new Error(`cannot read the signature "${line}"`);
  const [, priv, stat, kindWord, name, call, params = "", type] = match;
  const isStatic = stat !== undefined;
  const kind =
    kindWord === "property " ? "property" : kindWord === "get " ? "getter" : kindWord === "set " ? "setter" : "method";
  const member = { name, static: isStatic, kind };
  if (kind === "method") {
    if (call === undefined) throw new Error(`method without parameter list: "${line}"`);
    member.length = compiledLength(name, params, isStatic);
    member.returns = returnsOf(type);
    member.return_type = type ?? "void";
  } else if (type !== undefined) {
    member.type = type;
  }
  if (priv) member.private_in_reference = true;
  member.signature = line.replace(/^(private )?(static )?(property )?/, "");
  return member;
}

/** The JSON document: per class its members with kind, static, `length`, returns. */
export function buildReferenceApi() {
  const classes = {};
  for (const [className, spec] of Object.entries(REFERENCE)) {
    const entry = { section: `sdk.md ${spec.section}`, kind: spec.object ? "object" : "class" };
    if (spec.ctor) {
      const params = /^constructor\((.*)\)$/s.exec(spec.ctor)[1];
      const js = ts.transpileModule(`export const length = (class { constructor(${params}) {} }).length;`, {
        compilerOptions: { target: ts.ScriptTarget.ES2018, module: ts.ModuleKind.CommonJS },
      }).outputText;
      const module = { exports: {} };
      new Function("module", "exports", js)(module, module.exports);
      entry.constructor_length = module.exports.length;
      entry.constructor_signature = spec.ctor;
    }
    entry.members = spec.members.map(parseMember);
    classes[className] = entry;
  }
  return {
    description:
      "Public API of @sentclose/sentc 0.15 as documented in spec/sdk.md; generated by scripts/parity-reference.mjs (see its header for how).",
    global: REFERENCE_GLOBAL,
    classes,
  };
}

export const REFERENCE_JSON_PATH = resolve(import.meta.dirname, "../test/parity/reference-api.json");

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const text = `${JSON.stringify(buildReferenceApi(), null, 2)}\n`;
  if (process.argv.includes("--check")) {
    if (readFileSync(REFERENCE_JSON_PATH, "utf8") !== text) {
      console.error("test/parity/reference-api.json is out of date: run node scripts/parity-reference.mjs");
      process.exit(1);
    }
    console.log("test/parity/reference-api.json is up to date");
  } else {
    writeFileSync(REFERENCE_JSON_PATH, text);
    console.log("wrote test/parity/reference-api.json");
  }
}
