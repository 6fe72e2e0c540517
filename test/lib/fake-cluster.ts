/**
 * Test double (no cluster): the release-related part of ClusterReader for a namespace where
 * nothing of the release exists yet (no Helm records, PVCs, workloads or Job). Unit tests
 * spread it into their fake readers and override what a case needs.
 */
import { ClusterReader } from "../../components/cluster";

export type ReleaseReads = Pick<
  ClusterReader,
  "listHelmRecords" | "listPvcNames" | "listWorkloads" | "readJobOutcome" | "updateHelmRecord"
>;

export const nothingReleased: ReleaseReads = {
  listHelmRecords: async () => [],
  listPvcNames: async () => [],
  listWorkloads: async () => [],
  readJobOutcome: async () => undefined,
  updateHelmRecord: async () => {
    throw new Error("fake cluster: no Helm record to update");
  },
};
