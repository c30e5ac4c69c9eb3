// Where the login page may go on to: a path of this app only (the same rule as safe_next in
// linkdoctor/web/pages.py). A path starts with a single "/" and holds no "//", no backslash, no
// control character and no white space, as given and once more URL-decoded: browsers drop tabs
// and line feeds from addresses and read "\" as "/", so "/\t/evil.example" would be another site.

const REFUSED = /[\s\u0000-\u001f\u007f-\u009f\\]/u;

export function safeNext(target) {
  if (typeof target !== "string" || target === "") return "/";
  let decoded;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    return "/"; // a broken %-escape is no address of ours
  }
  for (const text of [target, decoded]) {
    if (!text.startsWith("/") || text.includes("//") || REFUSED.test(text)) return "/";
  }
  return target;
}
