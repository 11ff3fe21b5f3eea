import Link from "next/link";
import { buttonVariants } from "@/components/ui/button-variants";
import { cn } from "@/lib/cn";

/** Previous / next links that keep the current filters. */
export function Pagination({
  page,
  pageCount,
  href,
}: {
  page: number;
  pageCount: number;
  href: (page: number) => string;
}) {
  if (pageCount <= 1) return null;
  const disabled = "pointer-events-none opacity-50";
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-4 px-4 py-3 text-sm">
      <Link
        aria-disabled={page <= 1}
        tabIndex={page <= 1 ? -1 : undefined}
        className={cn(buttonVariants({ variant: "secondary", size: "sm" }), page <= 1 && disabled)}
        href={href(page - 1)}
      >
        Previous
      </Link>
      <span className="text-muted-foreground">
        Page {page} of {pageCount}
      </span>
      <Link
        aria-disabled={page >= pageCount}
        tabIndex={page >= pageCount ? -1 : undefined}
        className={cn(buttonVariants({ variant: "secondary", size: "sm" }), page >= pageCount && disabled)}
        href={href(page + 1)}
      >
        Next
      </Link>
    </nav>
  );
}
