// Placeholder: the Planner page is being built.
export default function PlannerPage(): React.JSX.Element {
  return (
    <section>
      <h1>Planner</h1>
    </section>
  );
}
