// Reports can take a moment to build; client-side navigations show this at once.
export default function ReportsLoading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading reports…
    </div>
  );
}
