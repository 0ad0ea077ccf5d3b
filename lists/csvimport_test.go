package lists

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store"
)

// listFuncs are one kind's exported create and append calls.
type listFuncs struct {
	create func(context.Context, NewList, io.Reader, ImportOptions) (store.List, Report, error)
	append func(context.Context, int64, io.Reader, ImportOptions) (Report, error)
}

func funcsOf(svc *Service, kind store.ListKind) listFuncs {
	switch kind {
	case store.ListContact:
		return listFuncs{svc.CreateContactList, svc.AppendContacts}
	case store.ListDNC:
		return listFuncs{svc.CreateDNCList, svc.AppendDNC}
	}
	return listFuncs{svc.CreateMappingList, svc.AppendMappings}
}

// TestCreateAndAppendByKind walks each kind through the shared create and append
// steps: a file whose rows are all bad makes an Invalid list, a good append then
// validates contact and DNC lists (mapping lists keep their status), a file the kind
// cannot map is refused before anything is imported, and a list of another kind is
// refused.
func TestCreateAndAppendByKind(t *testing.T) {
	tests := []struct {
		kind        store.ListKind
		bad, good   string
		afterAppend store.ListStatus
		other       store.ListKind
	}{
		{store.ListContact, "phone_bad.csv", "phone_good.csv", store.ListValidated, store.ListDNC},
		{store.ListDNC, "phone_bad.csv", "phone_good.csv", store.ListValidated, store.ListContact},
		{store.ListMapping, "mapping_bad.csv", "mapping_good.csv", store.ListInvalid, store.ListContact},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, config.Limits{})
			fn := funcsOf(e.svc, tt.kind)
			l, rep, err := fn.create(ctx, NewList{Name: " L "}, openTestdata(t, filepath.Join("kinds", tt.bad)), ImportOptions{FileName: tt.bad})
			if err != nil {
				t.Fatal(err)
			}
			if l.Kind != tt.kind || l.Name != "L" || l.Source != store.SourceCSV || l.Status != store.ListInvalid || rep.Rejected != 1 || rep.Imported != 0 {
				t.Fatalf("create from all-bad rows = %+v, report %+v", l, rep)
			}

			rep, err = fn.append(ctx, l.ID, openTestdata(t, filepath.Join("kinds", tt.good)), ImportOptions{})
			if err != nil || rep.Imported != 1 || rep.Status != store.ImportCompleted || rep.ImportID == 0 {
				t.Fatalf("append good rows = %+v, %v", rep, err)
			}
			if got, err := e.st.ListByID(ctx, l.ID); err != nil || got.Status != tt.afterAppend || got.Entries != 1 {
				t.Fatalf("after append: %+v, %v; want status %s with 1 entry", got, err, tt.afterAppend)
			}

			rep, err = fn.append(ctx, l.ID, openTestdata(t, filepath.Join("kinds", "no_phone.csv")), ImportOptions{})
			if !errors.Is(err, ErrBadFile) || rep.ImportID != 0 {
				t.Fatalf("append a file without a phone column = %+v, %v", rep, err)
			}
			if is, err := e.st.Imports(ctx, l.ID); err != nil || len(is) != 2 {
				t.Fatalf("imports = %d, %v; want the create and the good append", len(is), err)
			}

			other, _, err := funcsOf(e.svc, tt.other).create(ctx, NewList{Name: "other"}, openTestdata(t, filepath.Join("kinds", "phone_good.csv")), ImportOptions{})
			if err != nil && other.ID == 0 {
				t.Fatal(err)
			}
			if _, err := fn.append(ctx, other.ID, openTestdata(t, filepath.Join("kinds", tt.good)), ImportOptions{}); !errors.Is(err, ErrWrongKind) {
				t.Fatalf("append to a %s list = %v", tt.other, err)
			}
		})
	}
}

// TestCreateWithoutFile checks that DNC and mapping lists may start empty.
func TestCreateWithoutFile(t *testing.T) {
	for _, kind := range []store.ListKind{store.ListDNC, store.ListMapping} {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, config.Limits{})
			l, rep, err := funcsOf(e.svc, kind).create(ctx, NewList{Name: "empty"}, nil, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if l.Kind != kind || l.Source != store.SourceManual || l.Status != store.ListValidated || l.Entries != 0 {
				t.Fatalf("list = %+v", l)
			}
			if rep.Errors == nil || len(rep.Errors) != 0 || rep.ImportID != 0 {
				t.Fatalf("report = %+v; want no import and an empty error list", rep)
			}
			if is, err := e.st.Imports(ctx, l.ID); err != nil || len(is) != 0 {
				t.Fatalf("imports = %d, %v; want none", len(is), err)
			}
		})
	}
}

func TestCreateContactListNeedsFile(t *testing.T) {
	e := newEnv(t, config.Default().Limits)
	_, _, err := e.svc.CreateContactList(context.Background(), NewList{Name: "no file"}, nil, ImportOptions{})
	if !errors.Is(err, ErrBadFile) {
		t.Fatalf("err = %v, want ErrBadFile", err)
	}
}
