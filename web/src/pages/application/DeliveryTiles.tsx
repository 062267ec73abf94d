import { useQuery } from 'urql';
import { ApplicationDelivery } from '../../graphql/operations/delivery.js';
import { deliveryTiles } from '../../model/delivery-tiles.js';
import { Section } from '../../ui/Section.js';

/** Delivery metrics of the last 30 days as tiles; read again on every visit (history, not live state). */
export function DeliveryTiles({ app }: { app: string }) {
  const [{ data, error }] = useQuery({ query: ApplicationDelivery, variables: { application: app }, requestPolicy: 'cache-and-network' });
  const metrics = data?.deliveryMetrics;
  if (error || !metrics) return null;
  return (
    <Section title="Delivery, last 30 days" id="delivery">
      <dl className="tiles">
        {deliveryTiles(metrics).map((t) => (
          <div className="tile" key={t.label} data-tile={t.label}>
            <dt>{t.label}</dt>
            <dd className="tile-value">{t.value}</dd>
            <dd className="tile-detail muted">{t.detail}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}
