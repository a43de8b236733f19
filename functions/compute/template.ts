/**
 * Instance templates (AWS launch templates), pure: the record, its schemas and the rules that tie
 * its settings to the catalog. A template holds any subset of the instance settings; an instance
 * create with `templateId` takes them and lets its own body override them.
 */
import * as z from 'zod/mini';
import { newId } from '../kit/ids';
import { assertArchitectureMatches, assertRootVolumeFits, type Flavor, type Image } from './catalog';
import { instanceSettings, type InstanceSettings } from './settings';

export type Template = Omit<InstanceSettings, 'tags'> & {
  id: string;
  tenantId: string;
  name: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** The template's tags; an instance launched from it takes them too (its own winning). */
  tags: Record<string, string>;
};

/** AWS's launch template name rule: 3–128 of letters, digits and ( ) . - / _ */
export const templateName = z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(3),
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9().\-/_]+$/, 'Letters, digits and ( ) . - / _'),
      z.describe('Unique among the tenant\'s templates (case-sensitive).'),
    ),
);

export const createTemplateBody = () =>
  z.strictObject({
    name: templateName,
    description: z.optional(z.string().check(z.maxLength(255))),
    ...instanceSettings().shape,
  });
export type CreateTemplate = z.output<ReturnType<typeof createTemplateBody>>;

export const templateSchema = z.lazy(() => z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    description: z.optional(z.string()),
    ...z.omit(instanceSettings(), { userData: true, tags: true }).shape,
    hasUserData: z.boolean().check(z.describe('Whether the template holds user data; like an instance\'s, it is never shown.')),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    tags: z.record(z.string(), z.string()).check(z.describe('The template\'s tags; an instance launched from it takes them too, its own winning.')),
  })
  .check(z.meta({ id: 'Template' })));
export type TemplateView = z.input<typeof templateSchema>;

export function buildTemplate(tenantId: string, body: CreateTemplate, now: Date): Template {
  const at = now.toISOString();
  const { tags, ...settings } = body;
  return { id: newId('lt'), tenantId, ...settings, createdAt: at, updatedAt: at, version: 1, tags: tags ?? {} };
}

/** What a client sees: everything but the user data, which may hold secrets. */
export function publicTemplate(template: Template): TemplateView {
  const { userData, ...rest } = template;
  return { ...rest, hasUserData: userData !== undefined };
}

/**
 * The settings that involve catalog entries must fit them: the root volume at least the image's
 * minimum, the image built for the flavor's architecture (400 InvalidParameterValue, as AWS).
 */
export function assertSettingsFitCatalog(settings: Pick<InstanceSettings, 'rootVolumeGb'>, flavor?: Flavor, image?: Image): void {
  if (image) assertRootVolumeFits(image, settings.rootVolumeGb);
  if (flavor && image) assertArchitectureMatches(flavor, image);
}
