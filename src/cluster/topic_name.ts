/**
 * Kafka's rules for topic names (Topic.validate): 1–249 characters from
 * [a-zA-Z0-9._-], and not "." or "..", with Kafka 3.9's wording, which clients
 * see as the error message of CreateTopics. Also the collision rule: '.' and
 * '_' collide in metric names, so Kafka refuses a topic whose name differs
 * from an existing one only by those characters.
 */
const MAX_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why a name is invalid ("Topic name is invalid: …"), or null when it is valid. */
export function topicNameProblem(name: string): string | null {
  const reason = invalidReason(name);
  return reason === null ? null : `Topic name is invalid: ${reason}`;
}

function invalidReason(name: string): string | null {
  if (name.length === 0) return "the empty string is not allowed";
  if (name === ".") return "'.' is not allowed";
  if (name === "..") return "'..' is not allowed";
  if (name.length > MAX_LENGTH) return `the length of '${name}' is longer than the max allowed length ${MAX_LENGTH}`;
  if (!LEGAL.test(name)) {
    return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Kafka's Topic.unifyCollisionChars: the form in which colliding names are equal. */
export function unifyCollisionChars(name: string): string {
  return name.replaceAll(".", "_");
}

/**
 * The existing topic that `name` collides with (equal after mapping '.' to '_', but not the same name), or null.
 * The same name is not a collision but "already exists", which callers check first.
 * Kafka refuses such a create with INVALID_TOPIC_EXCEPTION "Topic '<name>' collides with existing topic: <other>".
 */
export function collidingTopic(name: string, existingNames: Iterable<string>): string | null {
  if (!name.includes(".") && !name.includes("_")) return null;
  const unified = unifyCollisionChars(name);
  for (const other of existingNames) {
    if (other !== name && unifyCollisionChars(other) === unified) return other;
  }
  return null;
}
