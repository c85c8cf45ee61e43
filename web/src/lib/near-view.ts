// Panels below the fold load their code when the trader scrolls towards them, so the dashboard's
// first load carries only what the first screen shows (docs/benchmarks.md, web budget).

/** Margin around the viewport within which a panel counts as near: a short scroll away. */
const NEAR = '200px 0px';

/**
 * Calls `onNear` once, the first time `node` comes near the viewport; returns the function that
 * stops watching (an `$effect`'s cleanup; a `use:` action would add its own runtime to the page).
 */
export function nearView(node: HTMLElement, onNear: () => void): () => void {
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      onNear();
    },
    { rootMargin: NEAR },
  );
  observer.observe(node);
  return () => observer.disconnect();
}
