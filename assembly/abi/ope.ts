// ABI exports of this area (see docs/core.md). Only numbers cross the boundary.
export {};
