package customer

// OpenPhone opens a sealed phone number read straight from the customers
// table (phone_enc), for packages that stream customer rows with their own
// SQL, such as segment exports, and must show or mask the number.
func (s *Store) OpenPhone(sealed []byte) (string, error) {
	return s.keys.Open(fieldPhone, sealed)
}
