import { Badge } from "@/components/ui/badge";
import type { Band } from "@/lib/history/bands";

const TONE = { elite: "success", high: "info", medium: "warning", low: "danger" } as const;

/** DORA's band for one figure; "no data" when there was nothing to measure. */
export function BandBadge({ band, testId }: { band: Band | null; testId?: string }) {
  if (!band)
    return (
      <Badge data-testid={testId} data-band="none">
        no data
      </Badge>
    );
  return (
    <Badge tone={TONE[band]} data-testid={testId} data-band={band}>
      {band}
    </Badge>
  );
}
