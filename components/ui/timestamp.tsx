import { formatDistanceStrict } from "date-fns";

/** "3 hours ago", with the exact UTC time on hover and for machines. */
export function Timestamp({ value, now = new Date() }: { value: Date; now?: Date }) {
  return (
    <time dateTime={value.toISOString()} title={`${value.toISOString().slice(0, 19).replace("T", " ")} UTC`}>
      {formatDistanceStrict(value, now, { addSuffix: true })}
    </time>
  );
}
