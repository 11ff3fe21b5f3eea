import type { Metadata } from "next";
import Link from "next/link";
import { ServiceEnvironments } from "@/components/services/service-environments";
import { Button } from "@/components/ui/button";
import { buttonVariants } from "@/components/ui/button-variants";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/require-user";
import { servicesPage } from "@/lib/services/queries";

export const metadata: Metadata = { title: "Services" };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function ServicesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireUser();
  const raw = await searchParams;
  const query = first(raw.q)?.trim().slice(0, 100) || undefined;
  const after = first(raw.after)?.slice(0, 200) || undefined;
  const { services, total, next } = await servicesPage({ after, query });
  const href = (cursor?: string) => {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    if (cursor) params.set("after", cursor);
    return `/services${params.size ? `?${params}` : ""}`;
  };
  // A page of cards at a time, by name: one card per service for 1,000 services was megabytes of HTML.
  const paged = Boolean(after || next || query);

  return (
    <>
      <PageHeader title="Services" description="Every service Greenlight ships, and where it runs." />
      {paged ? (
        <form method="get" action="/services" className="mb-4 flex flex-wrap items-end gap-2" role="search">
          <label className="flex flex-col gap-1 text-sm">
            <span>Find a service by name</span>
            <Input name="q" type="search" defaultValue={query ?? ""} className="w-64" />
          </label>
          <Button type="submit" variant="secondary" worksBeforeHydration>
            Search
          </Button>
          <p className="text-sm text-muted-foreground">
            {total} service{total === 1 ? "" : "s"}
            {query ? ` matching “${query}”` : ""}, by name.
          </p>
        </form>
      ) : null}
      {services.length === 0 ? (
        <Card>
          {query ? (
            <EmptyState title="No service matches">
              Try part of its name, or{" "}
              <Link href="/services" className="text-primary underline">
                list every service
              </Link>
              .
            </EmptyState>
          ) : (
            <EmptyState title="No services yet">An admin adds services and their Kubernetes targets.</EmptyState>
          )}
        </Card>
      ) : (
        <div className="grid gap-4">
          {services.map((s) => (
            <Card key={s.id}>
              <CardHeader>
                <div>
                  <CardTitle>
                    <Link href={`/services/${s.name}`} className="hover:underline">
                      {s.displayName}
                    </Link>
                  </CardTitle>
                  <p className="text-sm text-muted-foreground">{s.description}</p>
                </div>
              </CardHeader>
              <CardBody>
                <ServiceEnvironments environments={s.environments} />
              </CardBody>
            </Card>
          ))}
        </div>
      )}
      {after || next ? (
        <nav aria-label="Pagination" className="mt-4 flex items-center justify-between gap-4 text-sm">
          {after ? (
            <Link className={buttonVariants({ variant: "secondary", size: "sm" })} href={href()}>
              First page
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link className={buttonVariants({ variant: "secondary", size: "sm" })} href={href(next)}>
              Next
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
