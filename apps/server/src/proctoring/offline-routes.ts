import {
  AttemptParams,
  OfflineBundleUploadRequest,
  OfflineBundleUploadResponse,
  OfflineCodeRequest,
  OfflineCodeResponse,
  OfflineDeviceKeyRequest,
  OfflineDeviceKeyResponse,
  OfflineKeysResponse,
} from '@invigil/contract';
import { candidateRef } from '../http/client-info.ts';
import type { RouteRegistry } from '../http/route-registry.ts';
import type { OfflineBundleService } from './offline-bundle-service.ts';
import type { OfflineCodesService } from './offline-codes-service.ts';

export interface OfflineServices {
  codes: OfflineCodesService;
  bundles: OfflineBundleService;
}

const staff = ['admin', 'proctor'] as const;

/** Offline staff codes and offline submission (README "Offline staff codes", "Offline submission"). */
export function offlineRoutes(r: RouteRegistry, s: OfflineServices): void {
  r.add(
    { method: 'get', path: '/offline/keys', tag: 'offline', summary: 'The server’s public offline keys (put signingPublicKey into the kiosks’ kiosk.json)', responses: { 200: OfflineKeysResponse } },
    ({ c }) => c.json(s.codes.publicKeys()),
  );
  r.add(
    {
      method: 'post',
      path: '/exams/sessions/:attemptId/offline-key',
      tag: 'offline',
      summary: 'The kiosk of a device-bound attempt fetches its offline key (sealed to a one-off key of its own, signed by the server)',
      roles: ['candidate'],
      params: AttemptParams,
      body: OfflineDeviceKeyRequest,
      responses: { 200: OfflineDeviceKeyResponse },
      errors: [403, 404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.codes.deviceKey(candidateRef(c, principal), params.attemptId, body)),
  );
  r.add(
    {
      method: 'post',
      path: '/proctor/sessions/:attemptId/offline-code',
      tag: 'proctor',
      summary: 'Answer the offline challenge the kiosk of this session shows (quit, unlock, continue); audited',
      roles: staff,
      params: AttemptParams,
      body: OfflineCodeRequest,
      responses: { 200: OfflineCodeResponse },
      errors: [400, 404, 409],
    },
    async ({ c, params, body, principal }) => c.json(await s.codes.answer(principal, params.attemptId, body, c.get('ip'))),
  );
  r.add(
    {
      method: 'post',
      path: '/proctor/offline-bundles',
      tag: 'proctor',
      summary: 'Upload an offline bundle a kiosk wrote: verified and merged into its attempt by clientSeq (idempotent); audited',
      roles: staff,
      body: OfflineBundleUploadRequest,
      responses: { 200: OfflineBundleUploadResponse },
      errors: [400, 404, 409],
    },
    async ({ c, body, principal }) => c.json(await s.bundles.upload(principal, body.bundle, c.get('ip'))),
  );
}
