Console.WriteLine("benchmarks"); 
