/** Renders the key table as Markdown for docs/configuration.md and --help, so neither can drift from keys.ts. */
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
