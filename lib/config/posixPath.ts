// The few POSIX path operations a config needs, without node:path (lib/ runs in pages too).
// Node's path.posix semantics: "/" separators, "." and ".." resolved lexically.

/** `p` with "." and ".." segments resolved and repeated "/" collapsed ("" → "."). */
export function normalize(p: string): string {
  const absolute = p.startsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else {
      out.push(seg);
    }
  }
  const body = out.join("/");
  return absolute ? `/${body}` : body || ".";
}

/** `p` against `base` (`p` itself when absolute), normalized. Relative stays relative. */
export function resolveAgainst(base: string, p: string): string {
  return normalize(p.startsWith("/") ? p : `${base}/${p}`);
}

/** The folder part of `p` ("." for a bare name, "/" for the root). */
export function dirname(p: string): string {
  const n = normalize(p);
  const i = n.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : n.slice(0, i);
}

/** The last segment of `p`, without `ext` when it ends with it. */
export function basename(p: string, ext?: string): string {
  const trimmed = p.replace(/\/+$/, "");
  const name = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return ext && name.endsWith(ext) && name !== ext ? name.slice(0, -ext.length) : name;
}

/** The extension of the last segment, with its dot ("" when none; leading dots are not one). */
export function extname(p: string): string {
  const name = basename(p);
  const i = name.lastIndexOf(".");
  return i <= 0 || name === ".." ? "" : name.slice(i);
}
