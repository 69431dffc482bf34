/**
 * Resolves `-u user[:group]` against the image's `/etc/passwd` and `/etc/group`, the way runc's
 * `GetExecUser` does and with podman 4.3.1's additional groups on top.
 * @module
 */

import { EXIT_PERMISSION } from "../define/exit_codes.ts";
import { UsageError } from "../define/errors.ts";

/** The process identity for a container. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** `process.user.additionalGids`: podman's list, primary group first. */
  additionalGids: number[];
  /** The home directory from passwd, null when the user has no passwd entry. */
  home: string | null;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 0xfffffffe;

function parseId(text: string): number | null {
  if (!/^[0-9]+$/.test(text)) return null;
  const n = Number(text);
  return n <= MAX_ID ? n : null;
}

/** Parses passwd text; malformed lines are skipped, like libcontainer/user does. */
export function parsePasswd(text: string | null): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of (text ?? "").split("\n")) {
    const l = line.trim();
    if (l === "" || l.startsWith("#")) continue;
    const f = l.split(":");
    const uid = parseId(f[2] ?? "");
    const gid = parseId(f[3] ?? "");
    if (uid === null || gid === null) continue;
    out.push({ name: f[0] ?? "", uid, gid, home: f[5] ?? "" });
  }
  return out;
}

/** Parses group text; malformed lines are skipped. */
export function parseGroup(text: string | null): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of (text ?? "").split("\n")) {
    const l = line.trim();
    if (l === "" || l.startsWith("#")) continue;
    const f = l.split(":");
    const gid = parseId(f[2] ?? "");
    if (gid === null) continue;
    const members = (f[3] ?? "").split(",").map((m) => m.trim()).filter((m) => m !== "");
    out.push({ name: f[0] ?? "", gid, members });
  }
  return out;
}

/**
 * Resolves a `-u` value: `""` (root), `name`, `uid`, `name:group`, `uid:gid`, `name:gid`,
 * `uid:group`. A numeric uid without a passwd entry is fine (gid 0, no home). Without an
 * explicit group, the groups whose member list names the user are added, as podman does;
 * with `-u` given at all, the primary gid leads `additionalGids`.
 * @throws {UsageError} with exit code 126, podman's wording (`unable to find user tester:
 * no matching entries in passwd file`, `unable to find group g: no matching entries in group
 * file`), for a name that the files do not contain.
 */
export function resolveUser(
  spec: string,
  passwd: string | null,
  group: string | null,
): ResolvedUser {
  const users = parsePasswd(passwd);
  const groups = parseGroup(group);
  const colon = spec.indexOf(":");
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? null : spec.slice(colon + 1);

  // An empty user means the default user, root (uid 0), looked up like "0".
  const userArg = userPart === "" ? "0" : userPart;
  let entry = users.find((u) => u.name === userArg);
  let uid: number;
  if (entry) {
    uid = entry.uid;
  } else {
    const n = parseId(userArg);
    if (n === null) {
      throw new UsageError(`unable to find user ${userArg}: no matching entries in passwd file`, {
        exitCode: EXIT_PERMISSION,
      });
    }
    uid = n;
    entry = users.find((u) => u.uid === n);
  }
  let gid = entry?.gid ?? 0;
  const home = entry ? entry.home : null;

  const sgids: number[] = [];
  if (groupPart !== null && groupPart !== "") {
    const g = groups.find((x) => x.name === groupPart);
    if (g) {
      gid = g.gid;
    } else {
      const n = parseId(groupPart);
      if (n === null) {
        throw new UsageError(
          `unable to find group ${groupPart}: no matching entries in group file`,
          { exitCode: EXIT_PERMISSION },
        );
      }
      gid = n;
    }
  } else if (entry) {
    for (const g of groups) if (g.members.includes(entry.name)) sgids.push(g.gid);
  }

  if (spec === "") return { uid, gid, additionalGids: [], home };
  const additionalGids = [...new Set([gid, ...(groupPart === null ? sgids : [])])];
  return { uid, gid, additionalGids, home };
}
