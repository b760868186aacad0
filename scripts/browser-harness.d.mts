/** Types of scripts/browser-harness.mjs (the headless-Chromium harness of the browser tests and the consumer check). */
import type { Server } from "node:http";
import type { BrowserContext, Page } from "playwright-core";

/** The Chromium binary: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export declare const CHROMIUM: string;
/** Whether {@link CHROMIUM} exists (the browser tests skip when it does not). */
export declare const HAVE_CHROMIUM: boolean;
/** What a skipped browser test adds to its title: empty when Chromium is there. */
export declare const CHROMIUM_SKIP_NOTE: string;

/** Options of {@link serveStatic}. */
export interface ServeOptions {
  /** Other folders by URL prefix, e.g. `{ "/models/": dir }` (default none). */
  mounts?: Record<string, string>;
  /** Headers added to every response (default none). */
  headers?: Record<string, string>;
  /** Answer HEAD and `Range: bytes=a-b` requests, with `accept-ranges` (default false). */
  ranges?: boolean;
}

/** A running {@link serveStatic} server. */
export interface StaticServer {
  server: Server;
  /** `http://127.0.0.1:<port>/` (with the trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Serves `root` (`/` is its index.html) and each mount on 127.0.0.1 at a free port; a path leaving its folder, or naming no file, is a 404. */
export declare function serveStatic(root: string, options?: ServeOptions): Promise<StaticServer>;

/** Launches Chromium headless with a fresh profile folder and returns the context and its first page. */
export declare function launchChromium(profile: string, options?: { args?: string[] }): Promise<{ context: BrowserContext; page: Page }>;
