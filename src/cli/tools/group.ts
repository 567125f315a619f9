import type { ToolCommand } from "./command.ts";
export const groupCommands: ToolCommand[] = [];
