/**
 * Errors the API answers with: an HTTP status and sentc's numeric `err_code` (api.md §1.8). Services throw
 * them; the HTTP layer turns them into the envelope `{status:false, err_msg, err_code}`.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Codes used by this server. Numbers are sentc's; 118 (login rate limit), 119 (device proof), 120 (key signature),
 * 121 (verify key cross-signature), 503 (busy), 530 (too many uploads at once) and 903 (OTP already on) are ours,
 * see docs/server.md.
 */
export const E = {
  idFormat: () => new ApiError(400, 1, "Id has a wrong format. Make sure to follow the uuid v4 or v7 format."),
  internal: () => new ApiError(500, 10, "Internal server error"),
  jsonParse: (detail: string) => new ApiError(422, 11, `Wrong input: ${detail}`),
  inputTooBig: () => new ApiError(413, 12, "Input was too big to handle"),
  notANumber: () => new ApiError(400, 13, "It must be a number"),
  jwtValidation: () => new ApiError(401, 30, "Wrong jwt"),
  jwtNotFound: () => new ApiError(401, 31, "No valid jwt"),
  jwtFormat: () => new ApiError(401, 32, "Wrong jwt format"),
  jwtKeyNotFound: () => new ApiError(401, 35, "No matched key to this key id"),
  notFound: () => new ApiError(404, 404, "Not found"),
  /** Ours: the database stayed busy with conflicting transactions; the request may be sent again (HTTP 503). */
  busy: () => new ApiError(503, 503, "The server is busy. Try again."),
  userNotFound: (message = "User not found") => new ApiError(400, 100, message),
  /** The login steps' unknown identifier, as the reference answers it (HTTP 401, api.md §4.4). */
  loginUserNotFound: () => new ApiError(401, 100, "No user found with this identifier"),
  userExists: () => new ApiError(400, 101, "User already exists"),
  saltError: () => new ApiError(401, 110, "Can't create salt"),
  authKeyFormat: () => new ApiError(401, 111, "Wrong authentication key format"),
  login: () => new ApiError(401, 112, "Wrong username or password"),
  notFresh: (message = "The jwt is not valid for this action") => new ApiError(401, 113, message),
  refreshToken: () => new ApiError(400, 114, "Refresh token not found"),
  lastDevice: () => new ApiError(400, 115, "Can't delete the last device. Use user delete instead."),
  userKeysMissing: () =>
    new ApiError(400, 117, "User keys not found. Make sure to create the user group with sign keys."),
  tooManyAttempts: (seconds: number) =>
    new ApiError(429, 118, `Too many login attempts. Try again in ${seconds} seconds.`),
  deviceProof: () =>
    new ApiError(
      401,
      119,
      "This action needs a device proof: sign the request with the device's sign key (x-sentc-device-signature)",
    ),
  keySignature: (message = "The signature over the new public key does not verify") => new ApiError(400, 120, message),
  /**
   * Ours: a user key rotation's `verify_key_cross_sig` does not verify under the previous key's verify key, or a
   * group key rotation (a group has no verify key) carries one.
   */
  verifyKeyCrossSig: (
    message = "The cross-signature of the new verify key does not verify with the previous verify key",
  ) => new ApiError(400, 121, message),
  appTokenNotFound: () => new ApiError(401, 200, "No app found for this token"),
  appTokenFormat: () => new ApiError(401, 201, "The app token has a wrong format"),
  challenge: (message = "Can't create login challenge") => new ApiError(400, 201, message),
  appAction: () => new ApiError(400, 203, "No access to this action"),
  appDisabled: () => new ApiError(401, 204, "App is disabled and can't be used"),
  groupUserNotFound: (message = "User not found in this group") => new ApiError(400, 300, message),
  groupRank: (message = "Wrong rank") => new ApiError(400, 301, message),
  groupUserExists: (message = "User is already in this group") => new ApiError(400, 302, message),
  groupNoKeys: () => new ApiError(400, 303, "No group keys for the new member"),
  groupKeyNotFound: (message = "Group key not found") => new ApiError(400, 304, message),
  groupTooManyKeys: () => new ApiError(400, 305, "Too many keys in one request. The maximum is 100."),
  groupKeySession: (message = "Key session not found") => new ApiError(400, 306, message),
  groupInviteNotFound: () => new ApiError(400, 307, "No invite found"),
  groupOnlyOneAdmin: () =>
    new ApiError(400, 308, "Only one admin left in this group. Set another admin before leaving."),
  groupJoinReqNotFound: () => new ApiError(400, 309, "Join request not found"),
  groupAccess: (message = "No access to this group") => new ApiError(400, 310, message),
  groupRankUpdate: (message = "Wrong rank") => new ApiError(400, 314, message),
  groupKickCreator: () => new ApiError(400, 315, "Can't delete the group creator"),
  groupKickRank: () => new ApiError(400, 316, "Can't delete a higher rank."),
  groupInviteStop: () => new ApiError(400, 317, "No invites allowed for this group"),
  groupConnectedFromConnected: () => new ApiError(400, 318, "Can't create a connected group from a connected group"),
  groupJoinAsConnectedGroup: (message = "Wrong group kind for a group as member") => new ApiError(400, 319, message),
  groupReInviteMemberNotFound: () => new ApiError(400, 320, "The user is not a direct member of this group"),
  groupKeyRotationLimit: () => new ApiError(400, 321, "The key rotation limit for this month is reached"),
  symKeyNotFound: () => new ApiError(400, 400, "Key not found"),
  /** A number in a file route's path (`:seq`, `:last_sequence`, `:end`): the file API answers 12, not 13. */
  filePathNumber: () => new ApiError(400, 12, "It must be a number"),
  filePartOpen: () => new ApiError(400, 500, "Can't open the file"),
  filePartTooLarge: (maxBytes: number) =>
    new ApiError(400, 502, `File chunk is too large to upload. The max chunk size is: ${maxBytes}`),
  fileSessionNotFound: () => new ApiError(400, 510, "File upload session not found"),
  fileSessionExpired: () => new ApiError(400, 511, "File upload session expired"),
  fileNotFound: (message = "File not found") => new ApiError(400, 512, message),
  fileUploadNotAllowed: () => new ApiError(400, 520, "File upload is not allowed"),
  fileAccess: () => new ApiError(400, 521, "No access to this file"),
  /** Ours: the user has this many part uploads running already (HTTP 429). */
  fileUploadsBusy: (max: number) =>
    new ApiError(429, 530, `Too many uploads at once (at most ${max}). Try again when one has finished.`),
  otpDecode: () => new ApiError(400, 900, "No valid token"),
  otpNotFound: (message = "Otp secret not found") => new ApiError(400, 901, message),
  otpWrong: () => new ApiError(402, 902, "Wrong otp."),
  otpAlreadyEnabled: () => new ApiError(400, 903, "Otp is already enabled. Use reset_otp for a new secret."),
} as const;
