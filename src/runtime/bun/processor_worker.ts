/** Entry file of a processor Worker under Bun. */
import type { WorkerScope } from "../types.ts";
import { runProcessorWorker } from "../../network/processor_worker.ts";
import { listenBun } from "./net.ts";

runProcessorWorker(self as unknown as WorkerScope, { name: "bun", listen: listenBun });
