/** Renders the key table for docs/configuration.md (Markdown) and --help-config (plain text), so neither can drift from keys.ts. */
import { describeNumberRange } from "./coerce.ts";
import { CONFIG_KEY_NAMES, type KeySpec, keySpec } from "./keys.ts";

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

function code(text: string): string {
  return "`" + text + "`";
}

function renderDefault(spec: KeySpec): string {
  if (spec.type === "list") return spec.default.length > 0 ? code(spec.default.join(",")) : "(empty)";
  if (spec.type === "string") return spec.default !== "" ? code(spec.default) : "(empty)";
  if (spec.default === null && spec.defaultText) return `(${spec.defaultText})`;
  return code(String(spec.default));
}

function renderValid(spec: KeySpec): string {
  switch (spec.type) {
    case "int":
    case "long":
    case "double":
      return describeNumberRange(spec);
    case "boolean":
      return "true, false";
    case "enum":
      return spec.values.join(", ");
    case "string":
    case "list":
      return spec.format ? code(spec.format) : "";
  }
}

export function describeConfigTable(): string {
  const rows = [
    "| Key | Type | Default | Valid values | Origin | Meaning |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const key of CONFIG_KEY_NAMES) {
    const spec = keySpec(key);
    const origin = spec.origin === "kafka" ? "Kafka" : "tsbroker";
    const meaning = spec.kafkaDefault !== undefined ? `${spec.doc} Kafka's default: ${spec.kafkaDefault}.` : spec.doc;
    const cells = [code(key), spec.type, renderDefault(spec), renderValid(spec), origin, meaning];
    rows.push(`| ${cells.map(cell).join(" | ")} |`);
  }
  return rows.join("\n") + "\n";
}

/** A key's default as plain text for the terminal: no Markdown, and unset defaults say what decides instead. */
export function plainDefault(spec: KeySpec): string {
  if (spec.type === "list") return spec.default.length > 0 ? spec.default.join(",") : "(empty)";
  if (spec.type === "string") return spec.default !== "" ? spec.default : "(empty)";
  if (spec.default === null) return spec.defaultText ? `(${spec.defaultText})` : "(unset)";
  return String(spec.default);
}

/** A word too long for a line breaks after its commas (class-name lists), then anywhere. */
function pieces(word: string, room: number): string[] {
  if (word.length <= room) return [word];
  const parts = word.split(/(?<=,)/);
  return parts.flatMap((p) =>
    p.length <= room
      ? [p]
      : Array.from({ length: Math.ceil(p.length / room) }, (_, i) => p.slice(i * room, (i + 1) * room))
  );
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  const words = text.split(/\s+/).filter((w) => w !== "").flatMap((w) => pieces(w, width - indent.length));
  for (const word of words) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

/** Every key as a wrapped text block (`--help-config`): name, type and default, then valid values and meaning. */
export function describeConfigKeys(width: number): string {
  const blocks: string[] = [];
  for (const key of CONFIG_KEY_NAMES) {
    const spec = keySpec(key);
    const lines = wrap(`${key} (${spec.type}, default: ${plainDefault(spec)})`, width, "");
    const valid = renderValid(spec).replaceAll("`", "");
    if (valid !== "") lines.push(...wrap(`Valid: ${valid}`, width, "    "));
    const meaning = spec.kafkaDefault !== undefined ? `${spec.doc} Kafka's default: ${spec.kafkaDefault}.` : spec.doc;
    lines.push(...wrap(meaning, width, "    "));
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n") + "\n";
}
