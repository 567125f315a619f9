/**
 * Kafka's rules for topic names: 1–249 characters from [a-zA-Z0-9._-], and
 * not "." or "..". Returns why a name is invalid, or null when it is valid.
 */
const MAX_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === "." || name === "..") return "Topic name cannot be \".\" or \"..\"";
  if (name.length > MAX_LENGTH) return `Topic name is illegal, it can't be longer than ${MAX_LENGTH} characters`;
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}
