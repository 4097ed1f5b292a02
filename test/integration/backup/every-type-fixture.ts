// A table with a column of every built-in type family, filled with the values that break
// naive dumps: NaN and infinities, multibyte and control characters, backslashes, empty
// and multidimensional arrays, NULLs everywhere.
export const everyTypeSchemaSql = `
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy', 'ünïcode');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE TYPE app.pair AS (label text, amount numeric, tags text[]);
CREATE TABLE app.every_type (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  c_smallint smallint, c_int integer, c_bigint bigint,
  c_numeric numeric, c_numeric_scaled numeric(40, 20),
  c_real real, c_double double precision,
  c_text text, c_varchar varchar(20), c_char char(5), c_name name,
  c_bytea bytea, c_bool boolean,
  c_date date, c_time time, c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz, c_interval interval,
  c_uuid uuid, c_json json, c_jsonb jsonb,
  c_int_array integer[], c_text_matrix text[][], c_nullable_array text[],
  c_enum app.mood, c_enum_array app.mood[], c_domain app.positive,
  c_int4range int4range, c_tstzrange tstzrange, c_numrange numrange, c_datemultirange datemultirange,
  c_tsvector tsvector, c_tsquery tsquery,
  c_inet inet, c_cidr cidr, c_macaddr macaddr, c_macaddr8 macaddr8,
  c_money money, c_bit bit(8), c_varbit bit varying(20),
  c_pair app.pair, c_pair_array app.pair[],
  c_point point, c_box box, c_polygon polygon, c_circle circle, c_line line, c_lseg lseg, c_path path,
  c_xml xml, c_oid oid, c_pg_lsn pg_lsn, c_regclass regclass,
  c_generated text GENERATED ALWAYS AS (c_text || '/' || coalesce(c_int::text, 'null')) STORED
);
`;

export const everyTypeRowsSql = `
INSERT INTO app.every_type (
  c_smallint, c_int, c_bigint, c_numeric, c_numeric_scaled, c_real, c_double, c_text, c_varchar, c_char, c_name,
  c_bytea, c_bool, c_date, c_time, c_timetz, c_timestamp, c_timestamptz, c_interval, c_uuid, c_json, c_jsonb,
  c_int_array, c_text_matrix, c_nullable_array, c_enum, c_enum_array, c_domain,
  c_int4range, c_tstzrange, c_numrange, c_datemultirange, c_tsvector, c_tsquery,
  c_inet, c_cidr, c_macaddr, c_macaddr8, c_money, c_bit, c_varbit, c_pair, c_pair_array,
  c_point, c_box, c_polygon, c_circle, c_line, c_lseg, c_path, c_xml, c_oid, c_pg_lsn, c_regclass)
VALUES
(-32768, -2147483648, -9223372036854775808,
 123456789012345678901234567890.123456789012345678901234567890, 12345678901234567890.12345678901234567890,
 'NaN', 'Infinity',
 E'multibyte: ünïcödé ✓ 日本語 😀 \\x01 \\\\ backslash \\t tab \\n newline \\r cr "quotes" ''single''',
 'tab\there', 'ab', 'pg_catalog',
 E'\\\\x00ff0a0d5c09', true, '4713-01-01 BC', '24:00:00', '23:59:59.999999+14:59', 'infinity', '-infinity',
 '-178000000 years -11 mons -3 days -04:05:06.789012',
 '00000000-0000-0000-0000-000000000000', '{"a": [1, 2.50, "x\\u0000y"], "a": 2 }', '{"nested": {"k": [null, true, 1e400]}}',
 '{1,2,3}', '{{"a","b"},{"c,d","e\\"f"}}', '{NULL,"NULL",""}', 'ünïcode', '{sad,happy,NULL}', 1,
 '[1,10)', '[2020-01-01 00:00+00,infinity)', '(,5.5]', '{[2020-01-01,2020-02-01),[2021-01-01,)}',
 'a fat:1A cat:2B,3 sat ''on'' a mat', 'fat & (rat | !cat) <-> mat:*',
 '2001:db8::1/128', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', '-92233720368547758.08',
 B'10101010', B'1', ROW('lab,el', 'NaN', '{x,NULL}'), ARRAY[ROW('a', 1, '{}')::app.pair, NULL],
 '(1.5,-2)', '((0,0),(1,1))', '((0,0),(1,0),(0,1))', '<(0,0),1e-300>', '{1,-1,0}', '[(0,0),(1,1)]', '[(0,0),(1,1),(2,0)]',
 '<a b="c">x &amp; y</a>', 4294967295, 'FFFFFFFF/FFFFFFFF', 'app.every_type'),
(32767, 2147483647, 9223372036854775807, 'NaN', -0.00000000000000000001, '-Infinity', 'NaN',
 '', '', '', '', '\\x', false, '5874897-12-31', '00:00', '00:00-15:59', '294276-12-31 23:59:59.999999',
 'infinity', 'infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '[]', '{}',
 '{}', '{}', '{}', 'sad', '{}', 2147483647,
 'empty', '(,)', 'empty', '{}', '', 'a', '0.0.0.0', '::/0', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff',
 '92233720368547758.07', B'00000000', B'', ROW(NULL, NULL, NULL), '{}',
 '(0,0)', '((0,0),(0,0))', '((0,0))', '<(0,0),0>', '{0,1,0}', '[(0,0),(0,0)]', '((0,0))', '', 0, '0/0', 'pg_class');
INSERT INTO app.every_type (c_smallint, c_int, c_bigint, c_numeric, c_numeric_scaled, c_real, c_double, c_text,
  c_jsonb, c_int_array, c_text_matrix, c_enum_array)
VALUES (1, 1, 1, 0.1, 0, 1.17549435e-38, 2.2250738585072014e-308, E'\\\\N is not null', 'null', '{NULL}', '{{NULL}}', '{NULL}');
INSERT INTO app.every_type DEFAULT VALUES;
`;
