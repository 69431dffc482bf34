/** The runtime API added by the "exec" work (re-exported by mod.ts): exec, attach, terminals. */
export {
  type AttachControl,
  type AttachIO,
  type AttachResult,
  attachToContainer,
  DetachKeyMatcher,
  type TerminalSize,
} from "./container_attach.ts";
export {
  execContainer,
  type ExecOptions,
  type ExecResult,
  listExecSessions,
} from "./container_exec.ts";
/** Raw mode for the caller's terminal during an attached session (termios, as podman's). */
export { makeRaw, restoreTerminal, type SavedTerminal } from "../sys/tty.ts";
