/**
 * Instance-type catalogue. Prices: AWS EC2 on-demand Linux list prices, us-east-1, as published on
 * aws.amazon.com/ec2/pricing/on-demand (checked 2024-06). Spot: a typical ≈65 % discount (the Spot Instance
 * Advisor shows 60–70 % for these families); real spot prices float, so treat spot as an estimate.
 * Allocatable follows the EKS AMI reservation formula (kube-reserved CPU 6 % of the first core, 1 % of the
 * second, 0.5 % of cores 3–4, 0.25 % above; memory 255 MiB + 11 MiB × maxPods, plus 100 MiB eviction threshold).
 */
import { UserError } from '../../core/errors.js';

export interface InstanceType {
  name: string;
  vcpu: number;
  memoryGiB: number;
  /** Max pods per node (ENI limit of the AWS VPC CNI, capped at 110 as kubelet's default). */
  maxPods: number;
  onDemandPerHour: number;
  spotPerHour: number;
  cpuAllocatableMillis: number;
  memoryAllocatableMiB: number;
}

const SPOT_FACTOR = 0.35;

function reservedCpuMillis(vcpu: number): number {
  let r = 60; // first core
  if (vcpu > 1) r += 10;
  if (vcpu > 2) r += 5 * Math.min(vcpu - 2, 2);
  if (vcpu > 4) r += 2.5 * (vcpu - 4);
  return r;
}

function make(name: string, vcpu: number, memoryGiB: number, eniPods: number, onDemandPerHour: number): InstanceType {
  const maxPods = Math.min(eniPods, 110);
  return {
    name,
    vcpu,
    memoryGiB,
    maxPods,
    onDemandPerHour,
    spotPerHour: Math.round(onDemandPerHour * SPOT_FACTOR * 10000) / 10000,
    cpuAllocatableMillis: vcpu * 1000 - reservedCpuMillis(vcpu),
    memoryAllocatableMiB: memoryGiB * 1024 - (255 + 11 * eniPods) - 100,
  };
}

export const CATALOGUE: ReadonlyMap<string, InstanceType> = new Map(
  [
    make('m5.large', 2, 8, 29, 0.096),
    make('m5.xlarge', 4, 16, 58, 0.192),
    make('m5.2xlarge', 8, 32, 58, 0.384),
    make('m5.4xlarge', 16, 64, 234, 0.768),
    make('m5.8xlarge', 32, 128, 234, 1.536),
    make('c5.large', 2, 4, 29, 0.085),
    make('c5.xlarge', 4, 8, 58, 0.17),
    make('c5.2xlarge', 8, 16, 58, 0.34),
    make('c5.4xlarge', 16, 32, 234, 0.68),
    make('r5.large', 2, 16, 29, 0.126),
    make('r5.xlarge', 4, 32, 58, 0.252),
    make('r5.2xlarge', 8, 64, 58, 0.504),
    make('r5.4xlarge', 16, 128, 234, 1.008),
  ].map((t) => [t.name, t]),
);

export function instanceType(name: string): InstanceType | undefined {
  return CATALOGUE.get(name);
}

/** Looks an instance type up, or throws a UserError listing the known ones. */
export function requireInstanceType(name: string, where?: string): InstanceType {
  const t = CATALOGUE.get(name);
  if (!t) throw new UserError(`unknown instance type '${name}' (known: ${[...CATALOGUE.keys()].join(', ')})`, where);
  return t;
}

export function pricePerHour(t: InstanceType, spot: boolean): number {
  return spot ? t.spotPerHour : t.onDemandPerHour;
}
