/**
 * Catalog items (Resources table, partition `CATALOG`, keys in ./keys):
 *
 *   FLAVOR#<id>   a flavor    gsi1 CATALOG#FLAVOR  <family>#<vcpus>#<memoryMib>#<id>
 *   IMAGE#<id>    an image    gsi1 CATALOG#IMAGE   <os>#<id>
 *   SEEDED        the marker: the built-in catalog of `revision` is in the table
 *
 * The catalog seeds itself on first use: every read path calls `ensureCatalogSeeded`, which costs
 * one GetItem per process once the marker exists. Seeding puts each built-in entry only where none
 * exists, so an operator's entry of the same id survives and concurrent seeders do no harm.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../kit/db';
import { BadRequest, Conflict } from '../kit/errors';
import { getItem, queryPage, type Item, type Page, type PageQuery } from '../kit/repository';
import { MAX_TRANSACTION_ITEMS, type Write } from '../kit/transaction';
import { builtInFlavors, builtInImages, CATALOG_REVISION, type Flavor, type Image, type OperatingSystem } from './catalog';
import { catalogMarkerKey, computeTable, flavorIndexKeys, flavorKey, imageIndexKeys, imageKey, stripKeys } from './keys';

const flavorItem = (flavor: Flavor): Item => ({ ...flavorKey(flavor.id), ...flavorIndexKeys(flavor), ...flavor });
const imageItem = (image: Image): Item => ({ ...imageKey(image.id), ...imageIndexKeys(image), ...image });

/** A put that succeeds once: false when the item was already there. */
async function putIfAbsent(item: Item): Promise<boolean> {
  try {
    await documentClient().send(new PutCommand({ TableName: computeTable(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * A fresh table's case in one round trip: every entry in one transaction, on condition that none
 * exists yet. False when some exist (or another seeder raced this one): then entry by entry.
 */
async function putAllIfNoneExists(items: Item[]): Promise<boolean> {
  if (items.length > MAX_TRANSACTION_ITEMS) return false;
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: items.map((item) => ({ Put: { TableName: computeTable(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' } })),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/**
 * Puts every built-in flavor and image that is not in the table yet, then the marker. Safe to run
 * repeatedly and concurrently. Returns how many entries it added.
 */
export async function seedCatalog(now = new Date()): Promise<number> {
  const items = [...builtInFlavors(now).map(flavorItem), ...builtInImages(now).map(imageItem)];
  const added = (await putAllIfNoneExists(items)) ? items.length : (await Promise.all(items.map(putIfAbsent))).filter(Boolean).length;
  // The marker goes last: its presence means every entry above is in.
  try {
    await documentClient().send(
      new PutCommand({
        TableName: computeTable(),
        Item: { ...catalogMarkerKey(), revision: CATALOG_REVISION, seededAt: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk) OR revision < :revision',
        ExpressionAttributeValues: { ':revision': CATALOG_REVISION },
      }),
    );
  } catch (error) {
    // A newer revision's seeder got there first: its marker stays.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return added;
}

/** Per table (tests run several platforms, each with its own tables, in one process). */
const seeded = new Map<string, Promise<void>>();

/** Seeds the catalog unless the marker of this revision is there; at most once per process and table. */
export function ensureCatalogSeeded(): Promise<void> {
  const table = computeTable();
  let done = seeded.get(table);
  if (!done) {
    done = (async () => {
      const marker = await getItem(table, catalogMarkerKey());
      if (Number(marker?.revision ?? 0) < CATALOG_REVISION) await seedCatalog();
    })();
    // A failed attempt is forgotten, so the next request tries again.
    done.catch(() => seeded.delete(table));
    seeded.set(table, done);
  }
  return done;
}

export async function findFlavor(id: string): Promise<Flavor | undefined> {
  await ensureCatalogSeeded();
  const item = await getItem(computeTable(), flavorKey(id));
  return item ? stripKeys<Flavor>(item) : undefined;
}

export async function findImage(id: string): Promise<Image | undefined> {
  await ensureCatalogSeeded();
  const item = await getItem(computeTable(), imageKey(id));
  return item ? stripKeys<Image>(item) : undefined;
}

/** A 400, not a 404: the flavor is a parameter of the request, not the resource it names. */
export function flavorNotFound(id: string): BadRequest {
  return new BadRequest('InvalidFlavorID.NotFound', `The flavor ${id} does not exist.`);
}

export function imageNotFound(id: string): BadRequest {
  return new BadRequest('InvalidAMIID.NotFound', `The image ${id} does not exist.`);
}

/** The flavor, or 400 InvalidFlavorID.NotFound. */
export async function getFlavor(id: string): Promise<Flavor> {
  const flavor = await findFlavor(id);
  if (!flavor) throw flavorNotFound(id);
  return flavor;
}

/** The image, or 400 InvalidAMIID.NotFound (AWS). */
export async function getImage(id: string): Promise<Image> {
  const image = await findImage(id);
  if (!image) throw imageNotFound(id);
  return image;
}

/** A new catalog entry; the condition makes a duplicate id a 409 even under concurrent creates. */
function createEntry(item: Item, duplicate: Conflict): Write {
  return {
    item: { Put: { TableName: computeTable(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    onConditionFailed: duplicate,
  };
}

export function createFlavorWrite(flavor: Flavor): Write {
  return createEntry(flavorItem(flavor), new Conflict('InvalidFlavor.Duplicate', `A flavor ${flavor.id} already exists.`));
}

export function createImageWrite(image: Image): Write {
  return createEntry(imageItem(image), new Conflict('InvalidAMI.Duplicate', `An image ${image.id} already exists.`));
}

interface CatalogList {
  kind: 'FLAVOR' | 'IMAGE';
  /** The gsi1sk prefix of a filter (a family, an os), if any. */
  prefix?: string;
  /** Exactly this entry (a Query on the table's key, so that a cursor is still checked). */
  id?: string;
  page: PageQuery;
  scope: string;
}

async function listCatalog<T>({ kind, prefix, id, page, scope }: CatalogList): Promise<Page<T>> {
  await ensureCatalogSeeded();
  const result = id
    ? await queryPage({
        query: {
          TableName: computeTable(),
          KeyConditionExpression: 'pk = :pk AND sk = :sk',
          ...(prefix ? { FilterExpression: 'begins_with(gsi1sk, :prefix)' } : {}),
          ExpressionAttributeValues: { ':pk': 'CATALOG', ':sk': `${kind}#${id}`, ...(prefix ? { ':prefix': prefix } : {}) },
        },
        keyAttributes: ['pk', 'sk'],
        page,
        scope: `${scope}#id=${id}#${prefix ?? ''}`,
      })
    : await queryPage({
        query: {
          TableName: computeTable(),
          IndexName: 'gsi1',
          KeyConditionExpression: prefix ? 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)' : 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `CATALOG#${kind}`, ...(prefix ? { ':prefix': prefix } : {}) },
        },
        keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
        page,
        scope: `${scope}#${prefix ?? ''}`,
      });
  return { ...result, items: result.items.map((item) => stripKeys<T>(item)) };
}

/** Flavors by family, then size; `family` and `id` narrow the list. */
export function listFlavors(page: PageQuery, filter: { family?: string; id?: string } = {}): Promise<Page<Flavor>> {
  return listCatalog<Flavor>({
    kind: 'FLAVOR',
    ...(filter.family ? { prefix: `${filter.family}#` } : {}),
    ...(filter.id ? { id: filter.id } : {}),
    page,
    scope: 'listFlavors',
  });
}

/** Images by os, then id; `os` and `id` narrow the list. */
export function listImages(page: PageQuery, filter: { os?: OperatingSystem; id?: string } = {}): Promise<Page<Image>> {
  return listCatalog<Image>({
    kind: 'IMAGE',
    ...(filter.os ? { prefix: `${filter.os}#` } : {}),
    ...(filter.id ? { id: filter.id } : {}),
    page,
    scope: 'listImages',
  });
}
