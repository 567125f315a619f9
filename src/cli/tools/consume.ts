import type { ToolCommand } from "./command.ts";
export const consumeCommand: ToolCommand = {
  path: ["consume"],
  summary: "(not yet)",
  usage: "",
  flags: [],
  args: [0, 0],
  run: () => Promise.resolve(1),
};
