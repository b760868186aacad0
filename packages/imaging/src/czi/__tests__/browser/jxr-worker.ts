/** The test page's JPEG XR Web Worker: what an application writes to use setJpegXrWorkers. */
import { serveJpegXrWorker } from "../../index.js";

serveJpegXrWorker();
