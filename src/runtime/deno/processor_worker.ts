/** Entry file of a processor Worker under Deno. */
import type { WorkerScope } from "../types.ts";
import { runProcessorWorker } from "../../network/processor_worker.ts";
import { listenDeno } from "./net.ts";

runProcessorWorker(self as unknown as WorkerScope, { name: "deno", listen: listenDeno });
