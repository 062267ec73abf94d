// Types for build-state.mjs (tests import it).
/** Why a build is needed, or undefined when dist/ is current. */
export function staleReason(root?: string): string | undefined;
/** Runs the build; resolves with its exit code. */
export function build(): Promise<number>;
