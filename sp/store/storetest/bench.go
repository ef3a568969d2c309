package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssoharness/ssoharness/sp/store"
)

// RunBenchmarks measures the operations on the SP's hot paths: sign-up writes,
// the per-request session read, and the per-sign-in replay check.
func RunBenchmarks(b *testing.B, newStore func(b *testing.B) store.Store) {
	b.Run("CreateUser", func(b *testing.B) {
		s := newStore(b)
		n := 0
		for b.Loop() {
			n++
			if _, err := s.CreateUser(b.Context(), store.User{Email: fmt.Sprintf("user%d@bench.test", n)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CreateUserParallel", func(b *testing.B) {
		s := newStore(b)
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				email := fmt.Sprintf("user%d@bench.test", n.Add(1))
				if _, err := s.CreateUser(b.Context(), store.User{Email: email}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("GetSessionParallel", func(b *testing.B) {
		s := newStore(b)
		o, err := s.CreateOrganization(b.Context(), store.Organization{Name: "Acme"})
		if err != nil {
			b.Fatal(err)
		}
		u, err := s.CreateUser(b.Context(), store.User{Email: "ada@bench.test"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.AddMembership(b.Context(), store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleMember, Source: store.SourceLocal}); err != nil {
			b.Fatal(err)
		}
		if err := s.CreateSession(b.Context(), store.Session{IDHash: "h", UserID: u.ID, OrgID: o.ID, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.GetSession(b.Context(), "h", t0); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("RecordAssertion", func(b *testing.B) {
		s := newStore(b)
		o, err := s.CreateOrganization(b.Context(), store.Organization{Name: "Acme"})
		if err != nil {
			b.Fatal(err)
		}
		i, err := s.CreateIntegration(b.Context(), store.Integration{OrgID: o.ID})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for b.Loop() {
			n++
			if err := s.RecordAssertion(b.Context(), i.ID, fmt.Sprintf("id%d", n), t0.Add(time.Hour), t0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
