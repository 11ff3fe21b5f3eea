"use client";

import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";

interface Props {
  /** The control that opens it; focus goes back to it when the dialog closes. */
  trigger: ReactNode;
  title: string;
  description?: ReactNode;
  /** What the destructive button does, e.g. "Abort canary": never a bare "OK". */
  confirm: string;
  cancel?: string;
  onConfirm: () => void;
}

/**
 * Asks before a destructive step, in place of window.confirm: a modal dialog (focus kept inside,
 * Escape cancels, focus back on the trigger), with Cancel first so it has the focus on opening and
 * a stray Enter does no harm.
 */
export function ConfirmDialog({ trigger, title, description, confirm, cancel = "Cancel", onConfirm }: Props) {
  return (
    <Dialog>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={description}>
        <div className="flex justify-end gap-2">
          <DialogClose asChild>
            <Button type="button" variant="ghost">
              {cancel}
            </Button>
          </DialogClose>
          <DialogClose asChild>
            <Button type="button" variant="destructive" onClick={onConfirm}>
              {confirm}
            </Button>
          </DialogClose>
        </div>
      </DialogContent>
    </Dialog>
  );
}
