/** podman's exit codes (`define/exec_codes.go`). */

/** skiff itself failed: bad input, engine error. */
export const EXIT_ENGINE = 125;
/** The command in the container could not be invoked (permission denied, not executable). */
export const EXIT_PERMISSION = 126;
/** The command in the container was not found. */
export const EXIT_NOT_FOUND = 127;
