/** Entry file of a handler Worker under Bun. */
import type { WorkerScope } from "../types.ts";
import { runHandlerWorker } from "../../handler/handler_worker.ts";

runHandlerWorker(self as unknown as WorkerScope);
