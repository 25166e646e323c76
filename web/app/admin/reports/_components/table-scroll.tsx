import type { ReactNode } from 'react';

/**
 * Lets a table wider than its card scroll inside the card instead of widening the page. It is
 * focusable so that keyboard users can scroll it with the arrow keys, and a named region so that
 * screen readers say what they landed on.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
