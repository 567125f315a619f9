/** Entry file of a handler Worker under Deno. */
import type { WorkerScope } from "../types.ts";
import { runHandlerWorker } from "../../handler/handler_worker.ts";

runHandlerWorker(self as unknown as WorkerScope);
