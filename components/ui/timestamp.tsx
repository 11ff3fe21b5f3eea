import { format, formatDistanceStrict } from "date-fns";

/** "3 hours ago", with the exact UTC time on hover and for machines. */
export function Timestamp({ value, now = new Date() }: { value: Date; now?: Date }) {
  return (
    <time dateTime={value.toISOString()} title={`${format(value, "yyyy-MM-dd HH:mm:ss")} UTC`}>
      {formatDistanceStrict(value, now, { addSuffix: true })}
    </time>
  );
}
