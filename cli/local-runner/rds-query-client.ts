// A minimal client of the RDS Query API (form-encoded POST, XML answers), for the local runner
// only: it speaks to a stand-in of RDS on this machine, never to AWS (it does not sign requests).
// It translates in both directions between the Step Functions AWS SDK integration's names
// (`DbSnapshotIdentifier`, `Rds.DbSnapshotAlreadyExistsException`) and the Query API's
// (`DBSnapshotIdentifier`, `DBSnapshotAlreadyExists`), so the definition's own Parameters,
// ResultSelector and Catch are what a local run exercises.

const RDS_API_VERSION = '2014-10-31';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * An RDS API error under the name Step Functions gives it: the SDK's exception class,
 * `Rds.<Code without "Fault">Exception` (DBClusterNotFoundFault → Rds.DbClusterNotFoundException).
 */
export class RdsApiError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = `Rds.${sdkName(code.replace(/(Fault|Exception)$/, ''))}Exception`;
  }
}

/** `DBSnapshotArn` → `DbSnapshotArn`: the SDK integration writes the acronym as a word. */
function sdkName(apiName: string): string {
  return apiName.replace(/DB/g, 'Db');
}

function apiName(sdk: string): string {
  return sdk.replace(/Db/g, 'DB');
}

/** `createDBSnapshot` + `{ DbInstanceIdentifier, Tags: [{ Key, Value }] }` → Query form fields. */
export function queryParameters(action: string, parameters: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams({
    Action: `${action.charAt(0).toUpperCase()}${action.slice(1)}`,
    Version: RDS_API_VERSION,
  });
  for (const [name, value] of Object.entries(parameters)) {
    if (Array.isArray(value)) {
      // Lists are `<Name>.<Member>.<n>`: Tags.Tag.1.Key
      const member = `${apiName(name)}.${apiName(name).replace(/s$/, '')}`;
      value.forEach((item, index) => {
        if (typeof item === 'object' && item !== null) {
          for (const [field, fieldValue] of Object.entries(item))
            form.append(`${member}.${index + 1}.${apiName(field)}`, String(fieldValue));
        } else form.append(`${member}.${index + 1}`, String(item));
      });
    } else if (value !== undefined && value !== null) form.append(apiName(name), String(value));
  }
  return form;
}

interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? _);

/** Enough XML for the Query API's answers: elements, text and entities (no attributes kept). */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|([^<]+)/g;
  for (const match of xml.matchAll(tag)) {
    const [, closing, name, selfClosing, text] = match;
    const current = stack.at(-1) as XmlElement;
    if (text !== undefined) current.text += decode(text);
    else if (name === undefined) continue;
    else if (closing) stack.pop();
    else {
      const element: XmlElement = { name, children: [], text: '' };
      current.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  return root;
}

/** XML → the SDK integration's JSON: lists (`DBSnapshots`, `TagList`) become arrays. */
function toJson(element: XmlElement): Json {
  if (element.children.length === 0) return element.text.trim();
  const names = new Set(element.children.map((c) => c.name));
  const isList = names.size === 1 && (element.children.length > 1 || /(s|List)$/.test(element.name));
  if (isList) return element.children.map(toJson);
  return Object.fromEntries(element.children.map((c) => [sdkName(c.name), toJson(c)]));
}

function find(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.name === name) return child;
    const found = find(child, name);
    if (found) return found;
  }
  return undefined;
}

/** Calls `action` (the SDK integration's name, e.g. `describeDBSnapshots`) and returns its result. */
export async function callRds(
  endpoint: string,
  action: string,
  parameters: Record<string, unknown>,
): Promise<Json> {
  const form = queryParameters(action, parameters);
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form.toString(),
  });
  const document = parseXml(await response.text());
  const error = find(document, 'Error');
  if (!response.ok || error) {
    const code = (error && find(error, 'Code')?.text.trim()) || `HTTP${response.status}`;
    const message = (error && find(error, 'Message')?.text.trim()) || `${form.get('Action')} failed`;
    throw new RdsApiError(code, message);
  }
  const result = find(document, `${form.get('Action')}Result`);
  return result ? toJson(result) : {};
}
