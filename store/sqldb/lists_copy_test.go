package sqldb

import (
	"encoding/json"
	"strings"
	"testing"
)

// Custom fields must be stored exactly as json.Marshal writes them.
func TestFieldsEncoderMatchesJSON(t *testing.T) {
	tests := []map[string]string{
		nil,
		{},
		{"city": "New York"},
		{"b": "2", "a": "1", "c": ""},
		{"quote": `say "hi"`, "back\\slash": `C:\temp`},
		{"html": "<b>&amp;</b>", "ctl": "a\x00b\x01c\x1f\b\f\n\r\t"},
		{"utf8": "Zoë – 東京 🎉", "seps": "a\u2028b\u2029c"},
		{"bad": "ab\xffcd\xc3", "\xfekey": "v"},
		{"long": strings.Repeat("x,", 300)},
	}
	var e fieldsEncoder // reused across rows, as WriteContacts does
	for _, f := range tests {
		want := "{}"
		if len(f) > 0 {
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			want = string(b)
		}
		if got := e.encode(f); got != want {
			t.Errorf("encode(%q) = %s; json.Marshal gives %s", f, got, want)
		}
		if got := encodeFields(f); got != want {
			t.Errorf("encodeFields(%q) = %s; json.Marshal gives %s", f, got, want)
		}
	}
}

func BenchmarkFieldsEncoder(b *testing.B) {
	f := map[string]string{"account": "ACC-00000001", "balance": "1234.56", "due_date": "2026-05-17", "city": "New York", "notes": "note, 1", "priority": "3"}
	var e fieldsEncoder
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e.encode(f)
	}
}
