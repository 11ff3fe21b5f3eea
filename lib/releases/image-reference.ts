// The OCI / Docker image reference grammar (distribution/reference):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component ( "/" path-component )*
const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

const NAME_MAX = 255;

export interface ImageReference {
  /** The reference as given. */
  ref: string;
  /** Registry host, or undefined for Docker Hub. */
  domain?: string;
  /** Repository including the domain, e.g. `ghcr.io/acme/checkout`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export type ParseResult = { ok: true; value: ImageReference } | { ok: false; reason: string };

export function parseImageReference(input: string): ParseResult {
  const ref = input.trim();
  if (ref === "") return { ok: false, reason: "Enter an image reference, e.g. ghcr.io/acme/checkout:1.4.2." };
  if (/\s/.test(ref)) return { ok: false, reason: "An image reference cannot contain spaces." };
  const match = REFERENCE.exec(ref);
  if (!match) {
    const [name, ...rest] = ref.split(/(?=[:@][^/]*$)/);
    if (REFERENCE.test([name.toLowerCase(), ...rest].join("")))
      return { ok: false, reason: "Repository names must be lowercase." };
    return { ok: false, reason: "Not a valid image reference. Expected [registry/]repository[:tag][@sha256:digest]." };
  }
  let domain: string | undefined = match[1];
  let path = match[2];
  const tag: string | undefined = match[3];
  const digest: string | undefined = match[4];
  // A first component without a dot, colon or "localhost" is a Docker Hub namespace, not a host
  // (that is how `docker pull` reads it too).
  if (domain && !/[.:]/.test(domain) && domain !== "localhost" && !domain.startsWith("[")) {
    if (/[A-Z]/.test(domain)) return { ok: false, reason: "Repository names must be lowercase." };
    path = `${domain}/${path}`;
    domain = undefined;
  }
  const repository = domain ? `${domain}/${path}` : path;
  if (repository.length > NAME_MAX)
    return { ok: false, reason: `The repository name is longer than ${NAME_MAX} characters.` };
  if (digest) {
    const [algorithm, encoded] = digest.split(":");
    if (algorithm === "sha256" && !/^[a-f0-9]{64}$/.test(encoded)) {
      return { ok: false, reason: "A sha256 digest is 64 lowercase hexadecimal characters." };
    }
    if (algorithm === "sha512" && !/^[a-f0-9]{128}$/.test(encoded)) {
      return { ok: false, reason: "A sha512 digest is 128 lowercase hexadecimal characters." };
    }
    if (algorithm !== "sha256" && algorithm !== "sha512") {
      return { ok: false, reason: "Registries identify images by sha256 (or sha512) digests." };
    }
  }
  if (!tag && !digest) {
    return {
      ok: false,
      reason: "Give a tag or a digest: without one the image means whatever “latest” is at deploy time.",
    };
  }
  return { ok: true, value: { ref, domain, repository, tag, digest } };
}

/** The short form shown in lists: `checkout:1.4.2` or `checkout@sha256:1a2b3c4d`. */
export function shortImage(ref: string): string {
  const parsed = parseImageReference(ref);
  if (!parsed.ok) return ref;
  const name = parsed.value.repository.split("/").at(-1);
  if (parsed.value.tag) return `${name}:${parsed.value.tag}`;
  return `${name}@${parsed.value.digest?.slice(0, 19)}`;
}
