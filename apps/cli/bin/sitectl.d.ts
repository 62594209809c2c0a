/** Types for the launcher's one export, so its unit test is type-checked. */
export declare function bundleIsFresh(bundlePath: string, dirs: readonly string[]): boolean;
