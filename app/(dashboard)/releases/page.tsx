import type { Metadata } from "next";
import Link from "next/link";
import { ReleaseFilters } from "@/components/releases/release-filters";
import { Button } from "@/components/ui/button";
import { ReleaseTable } from "@/components/releases/release-table";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { requireUser } from "@/lib/auth/require-user";
import { can } from "@/lib/rbac";
import { listEnvironments, listReleases, listServiceTargets } from "@/lib/releases/queries";
import { releaseFilterSchema } from "@/lib/schemas/release";

export const metadata: Metadata = { title: "Releases" };

export default async function ReleasesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const raw = await searchParams;
  const filter = releaseFilterSchema.parse({
    service: raw.service,
    environment: raw.environment,
    status: raw.status,
    page: raw.page,
  });
  const [{ releases, total, pageCount }, services, environments] = await Promise.all([
    listReleases(filter),
    listServiceTargets(),
    listEnvironments(),
  ]);
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
            {filtered
              ? "Clear a filter to see more."
              : mayCreate
                ? "Create the first one: pick a service, an environment and the image to ship."
                : "Release managers create releases; they will appear here."}
          </EmptyState>
        ) : (
          <ReleaseTable releases={releases} showStrategy />
        )}
        <Pagination page={filter.page} pageCount={pageCount} href={pageHref} />
      </Card>
    </>
  );
}
