import type { ToolCommand } from "./command.ts";
export const produceCommand: ToolCommand = {
  path: ["produce"],
  summary: "(not yet)",
  usage: "",
  flags: [],
  args: [0, 0],
  run: () => Promise.resolve(1),
};
