import type { ToolCommand } from "./command.ts";
export const clusterCommands: ToolCommand[] = [];
