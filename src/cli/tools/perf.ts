import type { ToolCommand } from "./command.ts";
export const perfCommands: ToolCommand[] = [];
