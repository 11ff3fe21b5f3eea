import { z } from "zod";
import { id } from "@/lib/schemas/common";

export const gateChangeDecisionSchema = z.object({ changeId: id });
