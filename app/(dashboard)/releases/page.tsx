import type { Metadata } from "next";
import Link from "next/link";
import { ReleaseFilters } from "@/components/releases/release-filters";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { can } from "@/lib/rbac";
import { shortImage } from "@/lib/releases/image-reference";
import { listEnvironments, listReleases, listServiceTargets } from "@/lib/releases/queries";
import { releaseFilterSchema, STRATEGY_LABELS } from "@/lib/schemas/release";

export const metadata: Metadata = { title: "Releases" };

export default async function ReleasesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const raw = await searchParams;
  const filter = releaseFilterSchema.parse({ service: raw.service, environment: raw.environment, status: raw.status, page: raw.page });
  const [{ releases, total, pageCount }, services, environments] = await Promise.all([listReleases(filter), listServiceTargets(), listEnvironments()]);
  const mayCreate = can(user, "release:create");
  const filtered = Boolean(filter.service || filter.environment || filter.status);

  const pageHref = (page: number) => {
    const params = new URLSearchParams();
    if (filter.service) params.set("service", filter.service);
    if (filter.environment) params.set("environment", filter.environment);
    if (filter.status) params.set("status", filter.status);
    if (page > 1) params.set("page", String(page));
    return `/releases${params.size ? `?${params}` : ""}`;
  };

  return (
    <>
      <PageHeader
        title="Releases"
        description={`${total} release${total === 1 ? "" : "s"}${filtered ? " match the filters" : ""}, newest first.`}
        actions={
          mayCreate ? (
            <Button asChild>
              <Link href="/releases/new">New release</Link>
            </Button>
          ) : null
        }
      />
      <Card>
        <ReleaseFilters services={services} environments={environments} />
        {releases.length === 0 ? (
          <EmptyState title={filtered ? "No release matches these filters" : "No releases yet"}>
            {filtered ? "Clear a filter to see more." : mayCreate ? "Create the first one: pick a service, an environment and the image to ship." : "Release managers create releases; they will appear here."}
          </EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Release</Th>
                <Th>Service</Th>
                <Th>Image</Th>
                <Th>Strategy</Th>
                <Th>Status</Th>
                <Th>Created</Th>
              </tr>
            </thead>
            <tbody>
              {releases.map((r) => (
                <tr key={r.id} className="hover:bg-muted/50">
                  <Td>
                    <Link href={`/releases/${r.id}`} className="font-medium text-primary hover:underline">
                      R-{r.number}
                    </Link>
                    {r.revision > 1 ? <span className="ml-1 text-xs text-muted-foreground">rev {r.revision}</span> : null}
                  </Td>
                  <Td>
                    {r.service.displayName} <span className="text-muted-foreground">→ {r.environment.displayName}</span>
                  </Td>
                  <Td className="font-mono text-xs" title={r.imageRef}>
                    {shortImage(r.imageRef)}
                  </Td>
                  <Td>{STRATEGY_LABELS[r.strategy]}</Td>
                  <Td>
                    <ReleaseStatusBadge status={r.status} />
                  </Td>
                  <Td className="text-muted-foreground">
                    <Timestamp value={r.createdAt} /> by {r.createdBy.name}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pagination page={filter.page} pageCount={pageCount} href={pageHref} />
      </Card>
    </>
  );
}
