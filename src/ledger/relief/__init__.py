"""Social relief (社会救助): households, enrolment in the monthly programmes (低保, 特困, ...), the monthly
payroll cycle, bank batch files and their returns, posted to the ``relief`` book."""
