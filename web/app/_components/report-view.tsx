import type { FactsBlock, ReportBlock, TableBlock } from '@/lib/reports';

/** Renders report blocks; an empty list is the empty state. */
export function ReportView({ blocks }: { blocks: readonly ReportBlock[] }) {
  if (blocks.length === 0) {
    return (
      <section className="card empty" aria-labelledby="empty-title">
        <h2 id="empty-title">No report data yet</h2>
        <p className="muted">The server has nothing to report at the moment. Check back once people have signed in.</p>
      </section>
    );
  }
  return (
    <div className="report">
      {blocks.map((block, index) =>
        block.kind === 'facts' ? <Facts key={index} block={block} /> : <Table key={index} block={block} id={`table-${index}`} />,
      )}
    </div>
  );
}

function Facts({ block }: { block: FactsBlock }) {
  return (
    <section className="card" aria-label={block.title ?? 'Summary'}>
      {block.title && <h2>{block.title}</h2>}
      <dl className="facts facts--stats">
        {block.items.map((item) => (
          <div key={item.label}>
            <dt>{item.label}</dt>
            <dd>{item.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Table({ block, id }: { block: TableBlock; id: string }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{block.title}</h2>
      {block.rows.length === 0 ? (
        <p className="muted">Nothing to show.</p>
      ) : (
        // Focusable so keyboard users can scroll a table wider than the screen.
        <div className="table-scroll" role="region" aria-labelledby={id} tabIndex={0}>
          <table>
            <thead>
              <tr>
                {block.columns.map((column) => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((value, c) => (
                    <td key={c}>{value}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
