// What the orchestrator can ask of the floor server process (floor-server.ts).
export type FloorApi = {
  address(a: Record<string, never>): { port: number };
  /** Reads the frames the product's recording sockets captured. */
  load(a: { files: string[] }): { frames: number };
  /** Publishes the loaded frames at their captured pace, one burst per `burstMs`; resolves after the last. */
  replay(a: { burstMs: number }): Promise<{ published: number; seconds: number }>;
};
