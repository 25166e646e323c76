import type { ReactNode } from 'react';

/** One section of the report, named by its heading. `wide` spans the whole page on wide screens. */
export function ReportCard({ id, title, wide = false, children }: { id: string; title: string; wide?: boolean; children: ReactNode }) {
  return (
    <section className={wide ? 'card card--wide' : 'card'} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
